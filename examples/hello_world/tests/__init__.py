"""The hello-world app's own tests: few, fast, through the chaos fixtures."""
