$greeting = 'hello
notice($greeting)
file { '/tmp/a':
  ensure => file,
}
