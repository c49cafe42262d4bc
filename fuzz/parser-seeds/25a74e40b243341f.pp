$x = 1
notice($x)
else {
  notice('nope')
}
