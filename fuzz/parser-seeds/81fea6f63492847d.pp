node 'base' {
  include ntp
}

node 'web01.example.com' inherits 'base' {
  include nginx
}
