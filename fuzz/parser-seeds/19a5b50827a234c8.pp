    @("END")
    Hello $name$%a
    |- END
