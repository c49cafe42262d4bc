file { '/etc/motd':
  ensure  => file
  owner   => 'root',
  content => "hello\n",
}
