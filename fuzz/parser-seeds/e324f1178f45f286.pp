file { '/tmp/only-title' }
