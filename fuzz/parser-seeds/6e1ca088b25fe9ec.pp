    # line one
    # line two
    @("END"/L)
    First Line\
    Second Line ${facts]}
    |- END
