user { 'deploy':
  ensure     => present,
  managehome true,
  shell      => '/bin/bash',
}
