#!/usr/bin/perl
# topology.t - Murder::Topology builds a murder (MUPDATE master, two
# backends, a frontend) with each node on its own loopback address and the
# murder options wired; with placeholders (testsvc for programs not built)
# every node starts and every service answers on its node's address, the
# backends sharing port numbers; without placeholders a topology needing
# unbuilt programs says which, so tests can skip.
use FindBin;
use lib "$FindBin::Bin/../lib";
use Murder::Test timeout => 60;
use Murder::Topology;

skip_unless_built(qw(master testsvc));

my $t = Murder::Topology->murder(backends => 2, frontends => 1, placeholders => 1);
my @nodes = $t->nodes;
is(scalar(@nodes), 4, 'four nodes');
my %addr = map { $_->address => 1 } @nodes;
is(scalar(keys %addr), 4, 'each on its own address');
my ($m, $b1, $b2, $f) = ($t->mupdate, $t->backend(0), $t->backend(1), $t->frontend(0));
is($f->imapd_option('mupdate_server'), $m->address, 'frontend: mupdate_server is the MUPDATE master');
is($b1->imapd_option('mupdate_server'), $m->address, 'backend: mupdate_server is the MUPDATE master');
is($f->imapd_option('mupdate_port'), $m->port('mupdate'), 'mupdate_port is its port');
is($b1->port('imap'), $b2->port('imap'), 'backends share the imap port');
is($f->imapd_option('backend_imap_port'), $b1->port('imap'), 'frontend: backend_imap_port');
is($f->imapd_option('backend_lmtp_port'), $b1->port('lmtp'), 'frontend: backend_lmtp_port');
is($f->imapd_option('backend_pop3_port'), $b1->port('pop3'), 'frontend: backend_pop3_port');
is($b1->servername, $b1->address, 'a backend is known by its address');
like($b1->imapd_option('proxyservers'), qr/\bproxy\b/, 'backends trust the frontend identity');
is($f->imapd_option('proxy_authname'), 'proxy', 'frontend authenticates as it');

$t->add_user('alice', 'secret');
for my $n (@nodes) {
    my $out = `/usr/sbin/sasldblistusers2 -f @{[$n->sasldb]} 2>&1`;
    like($out, qr/^alice\@\Q@{[$n->servername]}\E:/m, $n->name . ': alice in its sasldb');
}

$t->start;
for my $n (@nodes) {
    for my $s (@{$n->{services}}) {
        my $c = $n->line_client($s->{name});
        my $b = $c->banner // '';
        if ($b =~ /testsvc/) {    # a placeholder names the service it stands for
            like($b, qr/service=\Q$s->{name}\E\b/, "$n->{name}/$s->{name} answers on $s->{listen_str}");
        } else {                  # the real daemon greets in its protocol
            like($b, qr/^(\* (?:OK|AUTH)|\+OK|220) /, "$n->{name}/$s->{name} greets on $s->{listen_str}");
        }
        $c->cmd('QUIT');
    }
}
$t->stop;

my $real = Murder::Topology->murder(backends => 1, frontends => 1);
my @missing = $real->missing;
ok(!Murder::Util::find_binary('proxyd') ? (grep { $_ eq 'proxyd' } @missing) : !grep({ $_ eq 'proxyd' } @missing),
   'missing() lists exactly the programs not built (proxyd: ' . (Murder::Util::find_binary('proxyd') ? 'built' : 'not built') . ')');
if (@missing) {
    ok(!eval { $real->frontend(0)->start; 1 } && $@ =~ /not built/, 'starting a node with missing programs dies saying so');
}
done_testing;
