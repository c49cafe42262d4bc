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
  files.each do |path|
    begin
      model = Puppet::Pops::Parser::Parser.new.parse_string(File.read(path, encoding: 'UTF-8'), path)
      dump = Puppet::Pops::Model::ModelTreeDumper.new.dump(model)
      rows << [path, fnv1a64(dump), dump.bytesize]
    rescue StandardError => e
      # Not parseable by Puppet: the verdict test covers it.
    end
  end
end
File.write(out, rows.map { |r| r.join("\t") }.join("\n") + "\n")
puts "wrote #{rows.size} fingerprints to #{out} (puppet #{Puppet.version})"
