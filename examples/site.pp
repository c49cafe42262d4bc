# A small but realistic site manifest: the bundled example of the quick start.

class ntp (
  Array[String] $servers = ['0.debian.pool.ntp.org', '1.debian.pool.ntp.org'],
  Boolean       $enable  = true,
) {
  package { 'ntp': ensure => installed }

  file { '/etc/ntp.conf':
    ensure  => file,
    owner   => 'root',
    group   => 'root',
    mode    => '0644',
    content => "# managed by mgmt-puppet\n${servers.map |$s| { "server ${s} iburst" }.join("\n")}\n",
    require => Package['ntp'],
  }

  service { 'ntp':
    ensure    => running,
    enable    => $enable,
    subscribe => File['/etc/ntp.conf'],
  }
}

define motd::line (String $text, Integer $order = 10) {
  @@file { "/etc/motd.d/${order}-${title}":
    ensure  => file,
    content => "${text}\n",
    tag     => 'motd',
  }
}

node default {
  include ntp

  $greeting = $facts['os']['family'] ? {
    'Debian' => 'Welcome to a Debian host',
    default  => 'Welcome',
  }

  file { '/etc/motd.d/': ensure => directory }
  motd::line { 'greeting': text => $greeting, order => 1 }
  File <<| tag == 'motd' |>>

  exec { 'refresh-motd':
    command     => '/bin/run-parts /etc/update-motd.d',
    refreshonly => true,
    subscribe   => File['/etc/motd.d/'],
  }

  @user { 'deploy': ensure => present, shell => '/bin/bash' }
  User <| title == 'deploy' |>

  Package['ntp'] -> File['/etc/motd.d/'] ~> Exec['refresh-motd']
}
