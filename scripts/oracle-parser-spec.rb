#!/usr/bin/env ruby
# Annotates every case in fixtures/parser-spec/*.json with what Debian's Puppet 7 itself makes of
# its source: "puppet7_dump" (Puppet's ModelTreeDumper output of the parse) or "puppet7_error"
# (the syntax error message), and "puppet7_valid" (whether `puppet parser validate`'s checks pass).
# The spec files were transcribed from several Puppet versions; Puppet 7 is the oracle, so the
# tests compare against these fields. Regenerate with:
#   ruby scripts/oracle-parser-spec.rb fixtures/parser-spec/*.json
require 'json'
require 'puppet'
require 'puppet/pops'

Puppet.initialize_settings unless Puppet.settings.global_defaults_initialized?
ARGV.each do |path|
  doc = JSON.parse(File.read(path))
  doc['puppet7_version'] = Puppet.version
  doc['cases'].each do |c|
    %w[puppet7_dump puppet7_error puppet7_valid].each { |k| c.delete(k) }
    begin
      model = Puppet::Pops::Parser::Parser.new.parse_string(c['source'])
      c['puppet7_dump'] = Puppet::Pops::Model::ModelTreeDumper.new.dump(model)
      begin
        Puppet::Pops::Parser::EvaluatingParser.new.parse_string(c['source'])
        c['puppet7_valid'] = true
      rescue Puppet::Error, Puppet::ParseError => e
        c['puppet7_valid'] = false
      end
    rescue Puppet::Error, Puppet::ParseError, StandardError => e
      c['puppet7_error'] = e.message.lines.first.to_s.strip
      c['puppet7_valid'] = false
    end
  end
  File.write(path, JSON.pretty_generate(doc) + "\n")
  puts "#{path}: #{doc['cases'].size} cases"
end
