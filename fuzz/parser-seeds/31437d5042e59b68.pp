$s = 'line one
line two
line three'
notice($s) ]
