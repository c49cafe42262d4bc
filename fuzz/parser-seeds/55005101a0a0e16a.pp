$list = ['a', 'b',, 'c']
notice($list)
