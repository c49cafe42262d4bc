    @(END/L)
    First Line\
     Second Line
    |- END
