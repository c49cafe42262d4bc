unless $x {
  notice('a')
} elsif $y {
  notice('b')
}
