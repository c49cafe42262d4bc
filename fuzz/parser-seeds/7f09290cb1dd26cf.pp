        class foo(*$a) { }
