$name = 'world'
$msg = "hello ${name}
notice($msg)
