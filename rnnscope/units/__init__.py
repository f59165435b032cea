"""Units that explain themselves (PRODUCT.md section 13): features of the text, scores of every unit against them."""
