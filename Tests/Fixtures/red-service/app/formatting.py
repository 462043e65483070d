def badly_formatted( a,b ):
    return {'a':a,'b':b}
