class outer {
  if $facts['kernel'] == 'Linux' {
    case $facts['os']['family'] {
      'Debian': {
        if $facts['os']['release']['major'] == '12' {
          file { '/etc/bookworm':
            ensure  => file,
            content => 'yes' 'no',
          }
        }
      }
      default: {}
    }
  }
}
