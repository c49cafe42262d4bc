    @("END")
    Hello $name
    |- END
