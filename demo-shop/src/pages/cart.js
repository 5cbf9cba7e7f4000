// Draws the cart from /api/cart and removes items through the API. Text goes in through
// textContent only, never as HTML.
(() => {
  const container = document.getElementById('cart');
  const cartCount = document.getElementById('cart-count');
  const money = (amount) => `$${amount.toFixed(2)}`;

  function element(tag, props, ...children) {
    const node = document.createElement(tag);
    Object.assign(node, props);
    node.append(...children);
    return node;
  }

  function showError(text) {
    const error = element('p', { id: 'cart-error', className: 'error', textContent: text });
    error.setAttribute('role', 'alert');
    container.replaceChildren(error);
  }

  function render(cart) {
    cartCount.textContent = String(cart.total_quantity);
    if (cart.items.length === 0) {
      container.replaceChildren(
        element('p', { id: 'cart-empty', textContent: 'Your cart is empty' }),
        element('p', {}, element('a', { href: '/products', textContent: 'Browse products' })),
      );
      return;
    }
    const rows = cart.items.map((item) => {
      const remove = element('button', { type: 'button', className: 'remove link-button', textContent: 'Remove' });
      remove.dataset.testid = `remove-${item.product_id}`;
      remove.addEventListener('click', () => removeItem(item.product_id, remove));
      const row = element('tr', { className: 'cart-item' },
        element('td', { className: 'name', textContent: item.name }),
        element('td', { className: 'qty', textContent: String(item.quantity) }),
        element('td', { className: 'line-total', textContent: money(item.line_total) }),
        element('td', { className: 'actions' }, remove),
      );
      row.dataset.testid = `cart-item-${item.product_id}`;
      return row;
    });
    const head = element('thead', {}, element('tr', {},
      element('th', { textContent: 'Product' }),
      element('th', { textContent: 'Quantity' }),
      element('th', { textContent: 'Total' }),
      element('th', {}),
    ));
    container.replaceChildren(
      element('table', { id: 'cart-items', className: 'lines' }, head, element('tbody', {}, ...rows)),
      element('p', { id: 'cart-total', className: 'total', textContent: `Total: ${money(cart.total)}` }),
      element('a', { id: 'checkout', className: 'button', href: '/checkout', textContent: 'Checkout' }),
    );
  }

  async function answer(response) {
    if (response.status === 401) {
      window.location.assign('/login?next=/cart');
      return;
    }
    if (!response.ok) {
      showError('Could not load your cart, please try again');
      return;
    }
    render(await response.json());
  }

  async function removeItem(productId, button) {
    button.disabled = true;
    try {
      await answer(await fetch(`/api/cart/items/${productId}`, { method: 'DELETE' }));
    } catch (error) {
      showError('Could not reach the shop, please try again');
    }
  }

  fetch('/api/cart')
    .then(answer)
    .catch(() => showError('Could not reach the shop, please try again'));
})();
