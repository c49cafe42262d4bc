#!/usr/bin/env ruby
# Records, for every corpus manifest that Puppet 7 parses, a fingerprint of Puppet's own
# ModelTreeDumper output: fixtures/corpus/puppet-dumps.tsv with `path<TAB>fnv1a64<TAB>length`.
# (The dumps themselves would be megabytes; the fingerprint is enough to compare, and
# `ruby scripts/puppet-dump.rb FILE` shows Puppet's dump of one file when they differ.)
# Regenerate: ruby scripts/oracle-corpus-dumps.rb
require 'puppet'
require 'puppet/pops'

def fnv1a64(s)
  h = 0xcbf29ce484222325
  s.each_byte { |b| h ^= b; h = (h * 0x100000001b3) & 0xffffffffffffffff }
  format('%016x', h)
end

repo = File.expand_path('..', __dir__)
shared = ENV['SHARED_DIR'] || File.join(repo, '..', 'shared')
corpus = File.join(shared, 'puppet-corpus')
out = File.join(repo, 'fixtures', 'corpus', 'puppet-dumps.tsv')
rows = []
Dir.chdir(corpus) do
  files = Dir.glob('{modules,puppet-lexer-fixtures,language-puppet-lexer}/**/*.pp').sort
  inputs = files.map { |path| [path, File.read(path, encoding: 'UTF-8')] }
  # The tree-sitter corpora: cases "=== name ===, input, ---, tree"; key FILE#INDEX (0-based).
  Dir.glob('tree-sitter-puppet*/test/corpus/*.txt').sort.each do |path|
    lines = File.read(path, encoding: 'UTF-8').split("\n", -1)
    i = 0
    index = 0
    rule = ->(l, c) { l.length >= 3 && l.chars.all? { |x| x == c } }
    while i < lines.length
      unless rule.call(lines[i], '=') then i += 1; next end
      i += 3
      input = []
      while i < lines.length && !rule.call(lines[i], '-') do input << lines[i]; i += 1 end
      i += 1
      i += 1 while i < lines.length && !rule.call(lines[i], '=')
      inputs << ["#{path}##{index}", input.join("\n")]
      index += 1
    end
  end
  inputs.each do |key, text|
    begin
      model = Puppet::Pops::Parser::Parser.new.parse_string(text, key)
      dump = Puppet::Pops::Model::ModelTreeDumper.new.dump(model)
      rows << [key, fnv1a64(dump), dump.bytesize]
    rescue StandardError => e
      # Not parseable by Puppet: the verdict test covers files; tree-sitter cases are skipped.
    end
  end
end
File.write(out, rows.map { |r| r.join("\t") }.join("\n") + "\n")
puts "wrote #{rows.size} fingerprints to #{out} (puppet #{Puppet.version})"
