    @(END:syntax/t)
    Tex\tt\n
    |- END
