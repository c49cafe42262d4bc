$x = 'a'
$y = "value: ${x"
notice($y)
