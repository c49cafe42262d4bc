$a = $b ? { banana => fruit }

