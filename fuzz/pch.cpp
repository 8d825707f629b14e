// The object library that owns the fuzz targets' precompiled header (pch.hpp); nothing else.
