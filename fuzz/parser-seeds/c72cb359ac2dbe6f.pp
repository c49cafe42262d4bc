$osfamily = 'Debian'
$pkg = $osfamily ? { }
notice($pkg)
