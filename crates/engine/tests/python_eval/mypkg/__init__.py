PKG_CONST = "pkg"
