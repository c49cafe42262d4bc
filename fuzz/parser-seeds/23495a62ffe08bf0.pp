$content = @(EOT)
  line one
  line two
  | EOF
notice($content)
