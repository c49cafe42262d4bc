class tabs {
	file { '/tmp/t':
		ensure	=> file,
		owner	=>	'root' 'x',
	}
}
