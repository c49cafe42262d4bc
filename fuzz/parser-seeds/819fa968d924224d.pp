$packages = [
  'vim',
  'curl',
  'git',

package { $packages: ensure => installed }
