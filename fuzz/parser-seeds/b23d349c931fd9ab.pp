    notice({ @(foo) => @(bar) })
    hello
    -foo
    world
    -bar
    notice '!'
