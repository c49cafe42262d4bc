function mymod::add(Integer $a, Integer $b)

notice(mymod::add(1, 2))
