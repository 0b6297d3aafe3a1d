// The console's entry: pick the page for the current path and render it.

import { render } from 'preact';
import { Layout } from './components/Layout';
import { AddImagesPage } from './pages/AddImagesPage';
import { ImagePage } from './pages/ImagePage';
import { InstancePage } from './pages/InstancePage';
import { InstancesPage } from './pages/InstancesPage';
import { SearchPage } from './pages/SearchPage';
import { Link, matchRoute, useLocation } from './router';
import './styles.css';

function App() {
  const { path } = useLocation();
  const route = matchRoute(path);
  switch (route.page) {
    case 'instances': return <InstancesPage />;
    case 'instance': return <InstancePage key={route.name} name={route.name} />;
    case 'add': return <AddImagesPage key={route.name} name={route.name} />;
    case 'search': return <SearchPage key={route.name} name={route.name} />;
    case 'image': return <ImagePage key={`${route.name}/${route.productId}/${route.picName}`} {...route} />;
    case 'not-found': return (
      <Layout title="Page not found">
        <p>There is no console page at <code>{path}</code>. <Link href="/">Go to the instances</Link>.</p>
      </Layout>
    );
  }
}

render(<App />, document.getElementById('app')!);
