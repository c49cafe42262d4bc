$list = ['a', 'b']]
notice($list)
