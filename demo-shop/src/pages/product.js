// Add-to-cart on the product page. Everything it needs comes from data attributes on
// #product, so no server value is ever spliced into script.
(() => {
  const product = document.getElementById('product');
  const productId = Number(product.dataset.productId);
  const productName = product.dataset.productName;
  const quantityInput = document.getElementById('qty');
  const status = document.getElementById('cart-status');
  const cartCount = document.getElementById('cart-count');

  async function addToCart(button) {
    const quantity = Number.parseInt(quantityInput.value, 10);
    button.disabled = true;
    status.textContent = '';
    try {
      const response = await fetch('/api/cart/items', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ product_id: productId, quantity }),
      });
      if (response.status === 201) {
        const cart = await response.json();
        cartCount.textContent = String(cart.total_quantity);
        status.textContent = `Added ${quantity} × ${productName} to your cart`;
      } else if (response.status === 401) {
        status.textContent = 'Please log in to add items';
      } else if (response.status === 422) {
        status.textContent = 'Please choose a quantity between 1 and 99';
      } else {
        status.textContent = 'Could not add to your cart, please try again';
      }
    } catch (error) {
      status.textContent = 'Could not reach the shop, please try again';
    } finally {
      button.disabled = false;
    }
  }

  function wire(button) {
    button.addEventListener('click', () => addToCart(button));
  }

  const button = document.getElementById('add-to-cart');
  if (button) {
    wire(button);
  } else if (product.dataset.lateMs !== undefined) {
    // The late-element fault: the button shows up long after the page has loaded.
    setTimeout(() => {
      const late = document.createElement('button');
      late.type = 'button';
      late.id = 'add-to-cart';
      late.className = 'button';
      late.dataset.testid = 'add-to-cart';
      late.textContent = 'Add to cart';
      document.getElementById('add-to-cart-slot').replaceWith(late);
      wire(late);
    }, Number(product.dataset.lateMs));
  }
})();
