class if {
  notice('bad')
}
