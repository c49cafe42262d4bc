#!/usr/bin/env ruby
# Annotates every case in fixtures/evaluator-spec/*.json with what Debian's Puppet 7 evaluator
# makes of its "source": the "puppet7" field is rewritten in place from "source" (and "setup").
# Puppet 7 is the oracle; "spec_expected" is only the spec's own expectation, kept for reference.
#
#   ruby scripts/oracle-evaluator-cases.rb fixtures/evaluator-spec/*.json
#   ruby scripts/oracle-evaluator-cases.rb --compare fixtures/evaluator-spec/*.json
#
# --compare writes nothing; it lists the cases where Puppet 7 disagrees with spec_expected
# (only for the expectation forms it understands; see fixtures/evaluator-spec/README.md).
#
# Each case is evaluated like Puppet's evaluating_parser_spec.rb does it: a fresh node
# 'node.example.com' in an empty environment, a fresh Puppet::Parser::Compiler, and then
#   * "scope": "node": a Puppet::Parser::Scope whose parent is the compiler's top scope and whose
#     source is the node (the spec's before(:each) block), or
#   * "scope": "top": the compiler's top scope itself (the factory-based specs' helper);
# with Puppet[:strict_variables] = true and the default Puppet[:strict] (warning), inside
# Puppet.override(current_environment:, loaders: compiler.loaders). "setup" (if any) is evaluated
# first in the same scope, then "source" with file name 'case.pp'.
#
# puppet7 is either
#   {"type": TypeCalculator.infer_set(value).to_s  (what type($x) / type($x, 'detailed') gives),
#    "repr": StringConverter.singleton.convert(value, '%p')  (for values it has no Puppet syntax for,
#            e.g. Timespan/Timestamp, that is Ruby's #inspect; its object address is masked as 0x...),
#    "string": EvaluatorImpl#string(value, scope)  (exactly what "${x}" interpolation produces)}
# or {"error": first line of the message, "error_class": the Ruby exception class};
# plus "warnings": [...] (first line of each warning/error logged while evaluating) when any.
require 'json'
require 'puppet'
require 'puppet/pops'

Puppet.initialize_settings unless Puppet.settings.global_defaults_initialized?
Puppet[:strict_variables] = true
Puppet[:data_binding_terminus] = 'none'

module EvaluatorOracle
  ENVIRONMENT = Puppet::Node::Environment.create(:testing, [])
  PARSER = Puppet::Pops::Parser::EvaluatingParser.new
  EVALUATOR = Puppet::Pops::Evaluator::EvaluatorImpl.new
  TC = Puppet::Pops::Types::TypeCalculator

  def self.first_line(s)
    s.to_s.lines.first.to_s.chomp
  end

  # Returns [puppet7 hash, ruby value or nil, exception or nil]
  def self.run(source, setup, scope_kind)
    node = Puppet::Node.new('node.example.com')
    node.environment = ENVIRONMENT
    compiler = Puppet::Parser::Compiler.new(node)
    logs = []
    $unique_warnings = {} # Puppet.warn_once would otherwise hide a repeated warning
    result = nil
    value = nil
    error = nil
    Puppet.override({ current_environment: ENVIRONMENT, loaders: compiler.loaders }, 'evaluator oracle') do
      scope =
        if scope_kind == 'node'
          s = Puppet::Parser::Scope.new(compiler)
          s.source = Puppet::Resource::Type.new(:node, 'node.example.com')
          s.parent = compiler.topscope
          s
        else
          compiler.topscope
        end
      Puppet::Util::Log.with_destination(Puppet::Test::LogCollector.new(logs)) do
        begin
          PARSER.evaluate_string(scope, setup, nil) if setup
          value = PARSER.evaluate_string(scope, source, 'case.pp')
          result = {
            'type' => TC.infer_set(value).to_s,
            'repr' => Puppet::Pops::Types::StringConverter.singleton.convert(value, '%p').gsub(/:0x\h+/, ':0x...'),
            'string' => EVALUATOR.string(value, scope),
          }
        rescue StandardError, ScriptError => e
          error = e
          result = { 'error' => first_line(e.message), 'error_class' => e.class.name }
        end
      end
    end
    warnings = logs.select { |l| %i[warning err alert emerg crit].include?(l.level) }.map { |l| first_line(l.message) }
    result['warnings'] = warnings unless warnings.empty?
    [result, value, error]
  end

  # --- --compare: the spec_expected forms written by the transcription (see README) ---

  def self.fmt(v)
    case v
    when Puppet::Pops::Types::PAnyType then v.to_s
    when Array then '[' + v.map { |x| fmt(x) }.join(', ') + ']'
    when Hash then '{' + v.map { |k, x| "#{fmt(k)} => #{fmt(x)}" }.join(', ') + '}'
    else v.inspect
    end
  end

  # true / false, or nil when the expectation form is not checked
  def self.agrees?(expected, value, error, result, notes)
    # notice(<source>) cases: the spec compares the noticed text, i.e. the interpolated string
    if notes.any? { |n| n.include?('notice(') } && expected.start_with?('[')
      return !error && JSON.parse(expected) == [result['string']]
    end
    if expected.start_with?('error')
      return false unless error
      m = /\Aerror(?:: ([A-Z][\w:]*))?(?:: message (containing|matching) (.*))?\z/m.match(expected)
      return nil unless m
      return false if m[1] && !error.is_a?(Object.const_get(m[1]))
      case m[2]
      when 'containing' then return error.message.include?(JSON.parse("[#{m[3]}]")[0])
      when 'matching' then return !(Regexp.new(m[3][1..-2]) =~ error.message).nil?
      end
      return true
    end
    return false if error
    if expected.start_with?('a type equivalent to ')
      return value.is_a?(Puppet::Pops::Types::PAnyType) && value.to_s == expected.sub('a type equivalent to ', '')
    end
    if expected.start_with?('logs a warning matching ')
      re = expected[%r{\Alogs a warning matching /(.*)/ \(}m, 1]
      return (result['warnings'] || []).any? { |w| Regexp.new(re) =~ w }
    end
    return nil if expected =~ /\A(includes |result\[|one of |not an |array with )/
    fmt(value) == expected
  end
end

compare = ARGV.delete('--compare')
ARGV.each do |path|
  doc = JSON.parse(File.read(path))
  doc['puppet7_version'] = Puppet.version unless compare
  counts = Hash.new(0)
  doc['cases'].each do |c|
    result, value, error = EvaluatorOracle.run(c['source'], c['setup'], doc.fetch('scope'))
    if compare
      verdict = EvaluatorOracle.agrees?(c['spec_expected'], value, error, result, c['notes'] || [])
      counts[verdict.inspect] += 1
      if verdict == false
        puts "#{File.basename(path)}: #{c['name']}"
        puts "  source:   #{c['source'].inspect}"
        puts "  spec:     #{c['spec_expected']}"
        puts "  puppet 7: #{result.to_json}"
      end
    else
      c['puppet7'] = result
      counts[result.key?('error') ? 'error' : 'value'] += 1
    end
  end
  File.write(path, JSON.pretty_generate(doc) + "\n") unless compare
  summary = counts.sort.map { |k, v| "#{k} #{v}" }.join(', ')
  puts "#{path}: #{doc['cases'].size} cases (#{compare ? 'agrees with spec: ' : ''}#{summary})"
end
