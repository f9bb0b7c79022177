using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

#pragma warning disable CA1814 // Prefer jagged arrays over multidimensional

namespace Portal.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class GovernanceAccountingSecurity : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_Users_ExternalTenantId_ExternalObjectId",
                table: "Users");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_Action",
                table: "AuditEvents");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_TenantId_OccurredAt",
                table: "AuditEvents");

            migrationBuilder.RenameColumn(
                name: "OutputBlocklist",
                table: "TenantPolicies",
                newName: "OutputRules");

            migrationBuilder.RenameColumn(
                name: "InputBlocklist",
                table: "TenantPolicies",
                newName: "InputRules");

            migrationBuilder.AddColumn<string>(
                name: "ExternalIssuer",
                table: "Users",
                type: "character varying(512)",
                maxLength: 512,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "ExternalScheme",
                table: "Users",
                type: "character varying(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "MessageId",
                table: "UsageRecords",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "WorkspaceId",
                table: "UsageRecords",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "AllowedModelIds",
                table: "TenantPolicies",
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "CustomPiiPatterns",
                table: "TenantPolicies",
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "SelfCheckStreaming",
                table: "TenantPolicies",
                type: "character varying(32)",
                maxLength: 32,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<string>(
                name: "TimeZoneId",
                table: "Quotas",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "PolicyActions",
                table: "Messages",
                type: "text",
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<int>(
                name: "PolicyVersion",
                table: "Messages",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "RevisedUnderPrinciple",
                table: "Messages",
                type: "integer",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SelfCheckCritique",
                table: "Messages",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "SelfCheckDraft",
                table: "Messages",
                type: "text",
                nullable: true);

            migrationBuilder.AddColumn<bool>(
                name: "RolesSetInPortal",
                table: "Memberships",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<bool>(
                name: "LegalHold",
                table: "Conversations",
                type: "boolean",
                nullable: false,
                defaultValue: false);

            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "LegalHoldSetAt",
                table: "Conversations",
                type: "timestamp with time zone",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "LegalHoldSetByUserId",
                table: "Conversations",
                type: "uuid",
                nullable: true);

            migrationBuilder.AddColumn<Guid>(
                name: "ChainId",
                table: "AuditEvents",
                type: "uuid",
                nullable: false,
                defaultValue: new Guid("00000000-0000-0000-0000-000000000000"));

            migrationBuilder.AddColumn<long>(
                name: "Sequence",
                table: "AuditEvents",
                type: "bigint",
                nullable: true);

            migrationBuilder.CreateTable(
                name: "AuditChainHeads",
                columns: table => new
                {
                    ChainId = table.Column<Guid>(type: "uuid", nullable: false),
                    Sequence = table.Column<long>(type: "bigint", nullable: false),
                    Hash = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_AuditChainHeads", x => x.ChainId);
                });

            migrationBuilder.CreateTable(
                name: "QuotaCounters",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    UserKey = table.Column<Guid>(type: "uuid", nullable: false),
                    Window = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    Value = table.Column<long>(type: "bigint", nullable: false),
                    EndsAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QuotaCounters", x => x.Id);
                    table.ForeignKey(
                        name: "FK_QuotaCounters_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "QuotaHolds",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    Tokens = table.Column<long>(type: "bigint", nullable: false),
                    DayWindow = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    MonthWindow = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ExpiresAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_QuotaHolds", x => x.Id);
                    table.ForeignKey(
                        name: "FK_QuotaHolds_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "UsageDailyRollups",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    TenantId = table.Column<Guid>(type: "uuid", nullable: false),
                    Day = table.Column<DateOnly>(type: "date", nullable: false),
                    UserId = table.Column<Guid>(type: "uuid", nullable: false),
                    ModelEntryId = table.Column<Guid>(type: "uuid", nullable: false),
                    WorkspaceKey = table.Column<Guid>(type: "uuid", nullable: false),
                    Requests = table.Column<long>(type: "bigint", nullable: false),
                    Completed = table.Column<long>(type: "bigint", nullable: false),
                    Stopped = table.Column<long>(type: "bigint", nullable: false),
                    Failed = table.Column<long>(type: "bigint", nullable: false),
                    RefusedByPolicy = table.Column<long>(type: "bigint", nullable: false),
                    RefusedByQuota = table.Column<long>(type: "bigint", nullable: false),
                    PromptTokens = table.Column<long>(type: "bigint", nullable: false),
                    CompletionTokens = table.Column<long>(type: "bigint", nullable: false),
                    BusyTicks = table.Column<long>(type: "bigint", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_UsageDailyRollups", x => x.Id);
                    table.ForeignKey(
                        name: "FK_UsageDailyRollups_Tenants_TenantId",
                        column: x => x.TenantId,
                        principalTable: "Tenants",
                        principalColumn: "Id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.InsertData(
                table: "CloudPrices",
                columns: new[] { "Id", "InputPerMillionTokens", "Name", "OutputPerMillionTokens" },
                values: new object[,]
                {
                    { new Guid("6f1d3c2a-0b7e-4e43-9a51-2f6c1d9e8a01"), 10m, "Frontier tier", 50m },
                    { new Guid("6f1d3c2a-0b7e-4e43-9a51-2f6c1d9e8a02"), 0.43m, "Open-weight API tier", 0.87m }
                });

            migrationBuilder.CreateIndex(
                name: "IX_Users_ExternalScheme_ExternalIssuer_ExternalObjectId",
                table: "Users",
                columns: new[] { "ExternalScheme", "ExternalIssuer", "ExternalObjectId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_Users_ExternalTenantId_ExternalObjectId",
                table: "Users",
                columns: new[] { "ExternalTenantId", "ExternalObjectId" });

            migrationBuilder.CreateIndex(
                name: "IX_UsageRecords_MessageId",
                table: "UsageRecords",
                column: "MessageId");

            migrationBuilder.CreateIndex(
                name: "IX_Conversations_TenantId_UpdatedAt",
                table: "Conversations",
                columns: new[] { "TenantId", "UpdatedAt" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_Action_OccurredAt_Id",
                table: "AuditEvents",
                columns: new[] { "Action", "OccurredAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_ChainId_Sequence",
                table: "AuditEvents",
                columns: new[] { "ChainId", "Sequence" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_OccurredAt_Id",
                table: "AuditEvents",
                columns: new[] { "OccurredAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_TenantId_Action_OccurredAt_Id",
                table: "AuditEvents",
                columns: new[] { "TenantId", "Action", "OccurredAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_TenantId_ActorUserId_OccurredAt_Id",
                table: "AuditEvents",
                columns: new[] { "TenantId", "ActorUserId", "OccurredAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_TenantId_OccurredAt_Id",
                table: "AuditEvents",
                columns: new[] { "TenantId", "OccurredAt", "Id" });

            migrationBuilder.CreateIndex(
                name: "IX_QuotaCounters_EndsAt",
                table: "QuotaCounters",
                column: "EndsAt");

            migrationBuilder.CreateIndex(
                name: "IX_QuotaCounters_TenantId_UserKey_Window",
                table: "QuotaCounters",
                columns: new[] { "TenantId", "UserKey", "Window" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_QuotaHolds_ExpiresAt",
                table: "QuotaHolds",
                column: "ExpiresAt");

            migrationBuilder.CreateIndex(
                name: "IX_QuotaHolds_TenantId",
                table: "QuotaHolds",
                column: "TenantId");

            migrationBuilder.CreateIndex(
                name: "IX_UsageDailyRollups_TenantId_Day_UserId_ModelEntryId_Workspac~",
                table: "UsageDailyRollups",
                columns: new[] { "TenantId", "Day", "UserId", "ModelEntryId", "WorkspaceKey" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "AuditChainHeads");

            migrationBuilder.DropTable(
                name: "QuotaCounters");

            migrationBuilder.DropTable(
                name: "QuotaHolds");

            migrationBuilder.DropTable(
                name: "UsageDailyRollups");

            migrationBuilder.DropIndex(
                name: "IX_Users_ExternalScheme_ExternalIssuer_ExternalObjectId",
                table: "Users");

            migrationBuilder.DropIndex(
                name: "IX_Users_ExternalTenantId_ExternalObjectId",
                table: "Users");

            migrationBuilder.DropIndex(
                name: "IX_UsageRecords_MessageId",
                table: "UsageRecords");

            migrationBuilder.DropIndex(
                name: "IX_Conversations_TenantId_UpdatedAt",
                table: "Conversations");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_Action_OccurredAt_Id",
                table: "AuditEvents");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_ChainId_Sequence",
                table: "AuditEvents");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_OccurredAt_Id",
                table: "AuditEvents");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_TenantId_Action_OccurredAt_Id",
                table: "AuditEvents");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_TenantId_ActorUserId_OccurredAt_Id",
                table: "AuditEvents");

            migrationBuilder.DropIndex(
                name: "IX_AuditEvents_TenantId_OccurredAt_Id",
                table: "AuditEvents");

            migrationBuilder.DeleteData(
                table: "CloudPrices",
                keyColumn: "Id",
                keyValue: new Guid("6f1d3c2a-0b7e-4e43-9a51-2f6c1d9e8a01"));

            migrationBuilder.DeleteData(
                table: "CloudPrices",
                keyColumn: "Id",
                keyValue: new Guid("6f1d3c2a-0b7e-4e43-9a51-2f6c1d9e8a02"));

            migrationBuilder.DropColumn(
                name: "ExternalIssuer",
                table: "Users");

            migrationBuilder.DropColumn(
                name: "ExternalScheme",
                table: "Users");

            migrationBuilder.DropColumn(
                name: "MessageId",
                table: "UsageRecords");

            migrationBuilder.DropColumn(
                name: "WorkspaceId",
                table: "UsageRecords");

            migrationBuilder.DropColumn(
                name: "AllowedModelIds",
                table: "TenantPolicies");

            migrationBuilder.DropColumn(
                name: "CustomPiiPatterns",
                table: "TenantPolicies");

            migrationBuilder.DropColumn(
                name: "SelfCheckStreaming",
                table: "TenantPolicies");

            migrationBuilder.DropColumn(
                name: "TimeZoneId",
                table: "Quotas");

            migrationBuilder.DropColumn(
                name: "PolicyActions",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "PolicyVersion",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "RevisedUnderPrinciple",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "SelfCheckCritique",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "SelfCheckDraft",
                table: "Messages");

            migrationBuilder.DropColumn(
                name: "RolesSetInPortal",
                table: "Memberships");

            migrationBuilder.DropColumn(
                name: "LegalHold",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "LegalHoldSetAt",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "LegalHoldSetByUserId",
                table: "Conversations");

            migrationBuilder.DropColumn(
                name: "ChainId",
                table: "AuditEvents");

            migrationBuilder.DropColumn(
                name: "Sequence",
                table: "AuditEvents");

            migrationBuilder.RenameColumn(
                name: "OutputRules",
                table: "TenantPolicies",
                newName: "OutputBlocklist");

            migrationBuilder.RenameColumn(
                name: "InputRules",
                table: "TenantPolicies",
                newName: "InputBlocklist");

            migrationBuilder.CreateIndex(
                name: "IX_Users_ExternalTenantId_ExternalObjectId",
                table: "Users",
                columns: new[] { "ExternalTenantId", "ExternalObjectId" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_Action",
                table: "AuditEvents",
                column: "Action");

            migrationBuilder.CreateIndex(
                name: "IX_AuditEvents_TenantId_OccurredAt",
                table: "AuditEvents",
                columns: new[] { "TenantId", "OccurredAt" });
        }
    }
}
