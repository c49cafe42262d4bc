define (String $x) {
  notice($x)
}
