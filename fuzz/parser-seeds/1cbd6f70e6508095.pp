class Foo {
  notice('x')
}
