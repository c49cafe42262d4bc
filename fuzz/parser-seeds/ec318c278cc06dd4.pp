package { 'openssh-server'
  ensure => installed,
}
