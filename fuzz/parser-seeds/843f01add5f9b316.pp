service { 'ssh':
  ensure => ,
  enable => true,
}
