}
notice('after')
