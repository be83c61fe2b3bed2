/** Guice composition of full pipelines: the default bindings, overridable one part at a time. */
package org.maskrcnn4j.examples.guice;
