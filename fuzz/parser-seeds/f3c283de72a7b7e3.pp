        define foo(*$a) { }
