# comment
# comment
$xxxxxxx = @("END")
  1
  2
  3
  4
  5
  YYYYY${facts]}
  XXXXXXX XXX
  | END
