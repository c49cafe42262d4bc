class foo {
  $bar = 1
}
notice($Foo::bar)
