$text = @(END:json:yaml)
  {"a": 1}
  | END
notice($text)
