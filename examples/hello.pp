# A manifest the engine can run on any machine (it only touches /tmp/mgmt-puppet-example):
#   mgmt-puppet run examples/hello.pp --converged-timeout 1
# Leave out --converged-timeout and it keeps running: delete or edit a file below and it is
# repaired at once; edit this manifest and the new graph is swapped in.
$root = '/tmp/mgmt-puppet-example'

file { $root:
  ensure => directory,
  mode   => '0755',
}

file { "${root}/motd":
  ensure  => file,
  content => "Hello from mgmt-puppet on ${facts['hostname']} (${facts['os']['family']})\n",
  mode    => '0644',
}

file { "${root}/conf.d":
  ensure => directory,
}

# Three fragments; a change to any of them rebuilds all.conf (a refresh over notify edges).
['alpha', 'beta', 'gamma'].each |$name| {
  file { "${root}/conf.d/${name}.conf":
    ensure  => file,
    content => "${name} = on\n",
    notify  => Exec['rebuild all.conf'],
  }
}

exec { 'rebuild all.conf':
  command     => "cat ${root}/conf.d/*.conf > ${root}/all.conf",
  path        => ['/bin', '/usr/bin'],
  refreshonly => true,
}

notify { 'example converged': require => Exec['rebuild all.conf'] }
