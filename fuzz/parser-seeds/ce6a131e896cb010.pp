$f = 1.5e
notice($f)
