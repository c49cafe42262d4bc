#!/usr/bin/env ruby
# Prints Puppet 7's ModelTreeDumper output for a file (or -e CODE): the oracle for
# `mgmt-puppet parse --dump`. Usage: ruby scripts/puppet-dump.rb FILE | -e CODE
require 'puppet'
require 'puppet/pops'
src = ARGV[0] == '-e' ? ARGV[1] : File.read(ARGV[0], encoding: 'UTF-8')
model = Puppet::Pops::Parser::Parser.new.parse_string(src, ARGV[0] == '-e' ? nil : ARGV[0])
puts Puppet::Pops::Model::ModelTreeDumper.new.dump(model)
